export function Forbidden({ what }: { what: string }) {
  return (
    <div className="empty" data-testid="forbidden">
      <h1>Not allowed</h1>
      <p>Your role does not include {what}. Ask an administrator if you need it.</p>
    </div>
  );
}
