import { listUsers } from "#lib/features/auth/admin.ts";
import { db } from "#lib/features/dashboard/context.ts";
import { allowed } from "#lib/features/dashboard/page-auth.ts";
import { allSites } from "#lib/features/dashboard/site-list.ts";
import { Forbidden } from "../../components/forbidden.tsx";
import { UsersAdmin } from "../../components/users-admin.tsx";

export const dynamic = "force-dynamic";

export default async function UsersPage() {
  const { principal, ok } = await allowed("/admin/users", "admin");
  if (!ok) return <Forbidden what="user administration" />;
  const sites = (await allSites()).map((s) => ({ key: s.key, name: s.name }));
  return (
    <>
      <h1>Users and roles</h1>
      <div className="sub">
        Passwords are generated and shown once; they are stored only as scrypt hashes. Every change is in the <a href="/admin/audit">audit log</a>.
      </div>
      <UsersAdmin initial={await listUsers(db())} sites={sites} me={principal.name} />
    </>
  );
}
