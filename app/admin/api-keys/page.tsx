import { ApiKeysAdmin } from "../../../components/admin/ApiKeysAdmin";
import { requirePageRole } from "../../../server/auth/page";

export const metadata = { title: "API keys · Nowcast" };

export default async function ApiKeysPage() {
  await requirePageRole("admin");
  return <ApiKeysAdmin />;
}
