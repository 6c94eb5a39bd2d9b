import { LiveDashboard } from "../../components/live/LiveDashboard";
import { requirePageRole } from "../../server/auth/page";

export const metadata = { title: "Live · Nowcast" };

export default async function LivePage() {
  await requirePageRole("viewer", "/live");
  return <LiveDashboard />;
}
