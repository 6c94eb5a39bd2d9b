import { LiveDashboard } from "../../components/live/LiveDashboard";

export const metadata = { title: "Live · Nowcast" };

export default function LivePage() {
  return <LiveDashboard />;
}
