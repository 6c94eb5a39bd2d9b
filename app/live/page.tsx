import { LiveDashboard } from "../../components/live/LiveDashboard";
import { requirePageRole } from "../../server/web/page-auth";

export const metadata = { title: "Live · Nowcast" };

/** `/live` (role viewer). `?kiosk=1` hides the navigation and enlarges type for wall screens. */
export default async function LivePage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requirePageRole("viewer");
  const params = await searchParams;
  const theme = params.theme === "light" || params.theme === "dark" ? params.theme : null;
  return <LiveDashboard kiosk={params.kiosk === "1"} theme={theme} />;
}
