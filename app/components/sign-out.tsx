"use client";

export function SignOut() {
  return (
    <button
      type="button"
      className="link-button"
      onClick={async () => {
        await fetch("/api/v1/auth/logout", { method: "POST" });
        window.location.assign("/login");
      }}
    >
      Sign out
    </button>
  );
}
