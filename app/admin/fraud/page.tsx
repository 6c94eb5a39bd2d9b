import { RulesAdmin } from "../../../components/fraud/RulesAdmin";
import { requirePageRole } from "../../../server/web/page-auth";

export const metadata = { title: "Fraud rules · Nowcast" };
export const dynamic = "force-dynamic";

export default async function FraudRulesPage() {
  await requirePageRole("admin");
  return <RulesAdmin />;
}
