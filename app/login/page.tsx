import { safeNextPath } from "#lib/features/dashboard/redirect.ts";
import { LoginForm } from "./login-form.tsx";

export const dynamic = "force-dynamic";

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  return (
    <div className="login-page">
      <h1>Sign in to Andon</h1>
      <div className="sub">The first administrator's password was printed once by the first `npm start`.</div>
      <LoginForm next={safeNextPath(next)} />
    </div>
  );
}
