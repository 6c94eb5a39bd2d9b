import { requirePageRole } from "../../server/web/page-auth";
import { JobsView } from "../../components/jobs/JobsView";

export const metadata = { title: "Jobs · Nowcast" };
export const dynamic = "force-dynamic";

export default async function JobsPage() {
  await requirePageRole("analyst");
  return <JobsView />;
}
