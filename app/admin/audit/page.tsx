import { AuditLog } from "../../../components/admin/AuditLog";
import { requirePageRole } from "../../../server/web/page-auth";

export const metadata = { title: "Audit log · Nowcast" };

export default async function AuditPage() {
  await requirePageRole("admin");
  return <AuditLog />;
}
