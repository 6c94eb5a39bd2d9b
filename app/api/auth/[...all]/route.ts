import { handleAuthRequest } from "../../../../server/web/auth-endpoints";

export const dynamic = "force-dynamic";

// better-auth's sign-in and sign-out, behind the forgery check and an allow-list
// (server/web/auth-endpoints.ts): every other better-auth endpoint answers 404.
export function GET(request: Request): Promise<Response> {
  return handleAuthRequest(request);
}

export function POST(request: Request): Promise<Response> {
  return handleAuthRequest(request);
}
