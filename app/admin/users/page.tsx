import { UsersAdmin } from "../../../components/admin/UsersAdmin";
import { requirePageRole } from "../../../server/web/page-auth";

export const metadata = { title: "Users · Nowcast" };

export default async function UsersPage() {
  const admin = await requirePageRole("admin");
  return <UsersAdmin selfId={admin.id} />;
}
