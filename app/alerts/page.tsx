import { AlertsView } from "../../components/alerts/AlertsView";
import { requirePageRole } from "../../server/auth/page";

export const metadata = { title: "Alerts · Nowcast" };

export default async function AlertsPage() {
  await requirePageRole("viewer");
  return <AlertsView />;
}
