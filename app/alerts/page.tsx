import { AlertsView } from "../../components/alerts/AlertsView";
import { requirePageRole } from "../../server/web/page-auth";

export const metadata = { title: "Alerts · Nowcast" };

export default async function AlertsPage() {
  await requirePageRole("viewer");
  return <AlertsView />;
}
