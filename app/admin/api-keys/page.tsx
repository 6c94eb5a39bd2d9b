import { ApiKeysAdmin } from "../../../components/admin/ApiKeysAdmin";
import { requirePageRole } from "../../../server/web/page-auth";

export const metadata = { title: "API keys · Nowcast" };

export default async function ApiKeysPage() {
  await requirePageRole("admin");
  return <ApiKeysAdmin />;
}
