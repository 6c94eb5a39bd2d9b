import { Suspense } from "react";
import { ReportsView } from "../../components/reports/ReportsView";
import { requirePageRole } from "../../server/web/page-auth";

export const metadata = { title: "Reports · Nowcast" };
export const dynamic = "force-dynamic";

/** /reports — historical reports for analysts. */
export default async function ReportsPage() {
  await requirePageRole("analyst");
  return (
    <Suspense fallback={<main className="page" aria-busy="true" />}>
      <ReportsView />
    </Suspense>
  );
}
