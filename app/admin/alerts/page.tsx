import { AlertsAdmin } from "../../../components/alerts/AlertsAdmin";
import { requirePageRole } from "../../../server/web/page-auth";

export const metadata = { title: "Alert rules · Nowcast" };

export default async function AlertRulesPage() {
  await requirePageRole("admin");
  return <AlertsAdmin />;
}
