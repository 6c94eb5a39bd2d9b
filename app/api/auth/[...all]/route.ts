import { getAuth } from "../../../../server/auth/principal";

export const dynamic = "force-dynamic";

// better-auth's own endpoints (sign-in, sign-out, session). Public by design: they are how a
// caller gets a session; sign-up is disabled and admin endpoints check the admin role themselves.
export async function GET(request: Request): Promise<Response> {
  return (await getAuth()).handler(request);
}

export async function POST(request: Request): Promise<Response> {
  return (await getAuth()).handler(request);
}
