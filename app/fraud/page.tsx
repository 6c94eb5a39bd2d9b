import { ReviewQueue } from "../../components/fraud/ReviewQueue";
import { requirePageRole } from "../../server/web/page-auth";

export const metadata = { title: "Fraud review · Nowcast" };
export const dynamic = "force-dynamic";

export default async function FraudReviewPage() {
  await requirePageRole("analyst");
  return <ReviewQueue />;
}
