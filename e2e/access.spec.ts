import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test, type Page } from "@playwright/test";
import { E2E_PASSWORD, storageStateFor } from "./access";

const url = (path: string) => `${process.env.E2E_BASE_URL ?? ""}${path}`;

const NAV: Record<"viewer" | "analyst" | "admin", string[]> = {
  viewer: ["Live", "Alerts"],
  analyst: ["Live", "Alerts", "Reports", "Jobs", "Fraud review"],
  admin: [
    "Live",
    "Alerts",
    "Reports",
    "Jobs",
    "Fraud review",
    "Users",
    "API keys",
    "Alert rules",
    "Fraud rules",
    "Audit log",
  ],
};
const FORBIDDEN: Record<"viewer" | "analyst", string> = {
  viewer: "/admin/api-keys",
  analyst: "/admin/users",
};

async function signInThroughForm(page: Page, email: string, password: string) {
  await page.goto(url("/sign-in"));
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test.describe("signed out", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("a protected page sends you to sign-in and back afterwards", async ({ page }) => {
    await page.goto(url("/admin/audit?shared=link"));
    await expect(page).toHaveURL(/\/sign-in\?next=%2Fadmin%2Faudit%3Fshared%3Dlink$/);
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link")).toHaveText(["Nowcast"]);
    await page.getByLabel("Email").fill("admin@example.com");
    await page.getByLabel("Password").fill(E2E_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/admin\/audit\?shared=link$/);
    await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
  });

  test("a wrong password says so, and nothing else", async ({ page }) => {
    await signInThroughForm(page, "viewer@example.com", "not-the-password");
    await expect(page.getByRole("form", { name: "Sign in" }).getByRole("alert")).toHaveText(
      "Wrong email or password.",
    );
    await page.screenshot({ path: "e2e/screenshots/sign-in-error.png" });
  });

  for (const role of ["viewer", "analyst", "admin"] as const) {
    test(`${role} sees exactly its navigation`, async ({ page }) => {
      await signInThroughForm(page, `${role}@example.com`, E2E_PASSWORD);
      await expect(page).toHaveURL(/\/live$/);
      const nav = page.getByRole("navigation", { name: "Main" });
      await expect(nav.getByRole("link")).toHaveText(["Nowcast", ...NAV[role]]);
      await expect(nav.getByTestId("nav-user")).toHaveText(`${role}@example.com`);
      await expect(nav.getByTestId("nav-role")).toHaveText(role);
      await page.screenshot({ path: `e2e/screenshots/signed-in-${role}.png` });
      if (role !== "admin") {
        const response = await page.goto(url(FORBIDDEN[role]));
        expect(response?.status()).toBe(403);
        await expect(page.getByRole("heading", { name: "403 — not allowed" })).toBeVisible();
      }
      await nav.getByRole("button", { name: "Sign out" }).click();
      await expect(page).toHaveURL(/\/sign-in$/);
      const after = await page.request.get(url("/api/me"));
      expect(after.status()).toBe(401);
    });
  }
});

test.describe("admin pages", () => {
  test.use({ storageState: storageStateFor("admin") });

  test("create a user, change its role, disable it — and see it in the audit log", async ({
    page,
    browser,
  }) => {
    const email = `ops-${Date.now()}@example.com`;
    await page.goto(url("/admin/users"));
    const form = page.getByRole("form", { name: "Add a user" });
    await form.getByLabel("Name").fill("Night shift");
    await form.getByLabel("Email").fill(email);
    await form.getByLabel("Role").selectOption("viewer");
    await form.getByRole("button", { name: "Add user" }).click();
    const secret = page.getByTestId("once-secret");
    await expect(secret).toHaveText(/^[A-Za-z0-9_-]{24}$/);
    const password = (await secret.textContent()) ?? "";
    const row = page.getByTestId(`user-${email}`);
    await expect(row).toContainText("active");
    await page.screenshot({ path: "e2e/screenshots/admin-users.png", fullPage: true });

    // The new user can sign in with the password shown once.
    const other = await browser.newContext({ storageState: { cookies: [], origins: [] } });
    const userPage = await other.newPage();
    await signInThroughForm(userPage, email, password);
    await expect(userPage.getByTestId("nav-role")).toHaveText("viewer");

    await row.getByLabel(`Role of ${email}`).selectOption("analyst");
    await expect(row.getByLabel(`Role of ${email}`)).toHaveValue("analyst");
    await row.getByRole("button", { name: "Disable" }).click();
    await expect(row).toContainText("disabled");
    // Disabled: the open session stops working at once.
    await userPage.reload();
    await expect(userPage).toHaveURL(/\/sign-in/);
    await other.close();

    await page.goto(url("/admin/audit"));
    await page.getByRole("form", { name: "Filter the audit log" }).getByLabel("Target").fill(email);
    await page.getByRole("button", { name: "Apply" }).click();
    const rows = page.getByTestId("audit-row");
    await expect(rows).toHaveCount(3);
    await expect(rows.nth(0)).toContainText("user.disable");
    await expect(rows.nth(0)).toContainText("disabled: false → true");
    await expect(rows.nth(1)).toContainText('role: "viewer" → "analyst"');
    await expect(rows.nth(2)).toContainText("user.create");
    await expect(rows.nth(2)).toContainText("admin@example.com");
    await page.screenshot({ path: "e2e/screenshots/admin-audit.png", fullPage: true });
  });

  test("an API key is shown once, works, and stops the moment it is revoked", async ({ page, request }) => {
    const name = `shop-${Date.now()}`;
    await page.goto(url("/admin/api-keys"));
    const form = page.getByRole("form", { name: "Create a key" });
    await form.getByLabel("Name").fill(name);
    await form.getByLabel("Scope").selectOption("ingest");
    await form.getByRole("button", { name: "Create key" }).click();
    const secret = (await page.getByTestId("once-secret").textContent()) ?? "";
    expect(secret).toMatch(/^nck_/);
    const row = page.getByTestId(`key-${name}`);
    await expect(row).toContainText(`${secret.slice(0, 10)}…`);
    await expect(row).toContainText("never");

    // An empty batch: the key is checked first (401 when revoked), then the body (400),
    // so this proves the key without adding events other specs count.
    const send = () =>
      request.post(url("/api/ingest"), { data: [], headers: { authorization: `Bearer ${secret}` } });
    expect((await send()).status()).toBe(400);
    await page.reload();
    await expect(row).not.toContainText("never");
    await row.getByRole("button", { name: "Revoke" }).click();
    await expect(row).toContainText("revoked");
    expect((await send()).status()).toBe(401);
    await page.screenshot({ path: "e2e/screenshots/admin-api-keys.png", fullPage: true });
  });
});

test.describe("live access", () => {
  test.use({ storageState: storageStateFor("admin") });

  test("disabling a user cuts its open live page at once, with a clear message", async ({
    page,
    browser,
  }) => {
    const email = `wall-${Date.now()}@example.com`;
    // Not a browser page: Playwright's request API says which origin it speaks for, as the
    // forgery check asks of every cookie-authenticated write.
    const created = await page.request.post(url("/api/admin/users"), {
      headers: { origin: url("") },
      data: { name: "Wall screen", email, role: "viewer", password: E2E_PASSWORD },
    });
    expect(created.status()).toBe(201);
    const { user } = (await created.json()) as { user: { id: string } };

    const wall = await browser.newContext({ storageState: { cookies: [], origins: [] } });
    const screen = await wall.newPage();
    await signInThroughForm(screen, email, E2E_PASSWORD);
    await expect(screen.getByTestId("connection")).toHaveText("Live");

    const disabled = await page.request.patch(url(`/api/admin/users/${user.id}`), {
      headers: { origin: url("") },
      data: { disabled: true },
    });
    expect(disabled.status()).toBe(200);
    await expect(screen.getByText("Not signed in: live data needs the viewer role.")).toBeVisible();
    await expect(screen.getByTestId("connection")).not.toHaveText("Live");
    await wall.close();
  });
});

test("pages carry a CSP with a nonce and run without CSP violations", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  const response = await page.goto(url("/live"));
  const csp = response?.headers()["content-security-policy"] ?? "";
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
  expect(csp).toContain("frame-ancestors 'none'");
  await expect(page.getByTestId("nav-role")).toHaveText("analyst");
  expect(violations).toEqual([]);
});

test.describe("open redirects", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("a sign-in link whose next= names another site lands on /live of this site", async ({ page }) => {
    await page.goto(url(`/sign-in?next=${encodeURIComponent("/\\evil.example/steal")}`));
    await page.getByLabel("Email").fill("viewer@example.com");
    await page.getByLabel("Password").fill(E2E_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(url("/live"));
    // Signed in already: the server redirects at once, also for forms that normalize to //host.
    for (const next of ["//evil.example", "/.//evil.example", "https://evil.example", "/%09/evil.example"]) {
      await page.goto(url(`/sign-in?next=${encodeURIComponent(next)}`));
      await expect(page, next).toHaveURL(url("/live"));
    }
  });
});

test.describe("forged requests from a real browser", () => {
  test.use({ storageState: storageStateFor("admin") });
  let attacker: Server;
  let attackerUrl = "";

  test.beforeAll(async () => {
    // Another origin of the same site: 127.0.0.1 on another port, so the browser sends the
    // admin's SameSite=Lax cookie along. The page tries what a no-cors fetch and a form can.
    const app = url("");
    attacker = createServer((_, res) => {
      res.setHeader("content-type", "text/html");
      res.end(`<!doctype html><title>cats</title>
        <form id="f" method="post" action="${app}/api/auth/sign-out" enctype="text/plain">
          <input name='{"x":"' value='"}'></form>
        <script>
          fetch("${app}/api/admin/api-keys", { method: "POST", mode: "no-cors", credentials: "include",
            headers: { "content-type": "text/plain" }, body: JSON.stringify({ name: "forged-by-cats", scope: "ingest" }) })
            .finally(() => document.getElementById("f").submit());
        </script>`);
    });
    await new Promise<void>((resolve) => attacker.listen(0, "127.0.0.1", resolve));
    attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`;
  });
  test.afterAll(async () => {
    await new Promise((resolve) => attacker.close(resolve));
  });

  test("a page on another port of the same host cannot create a key or sign the admin out", async ({
    page,
  }) => {
    // What the browser really sends (Playwright sees the final headers of a routed request).
    const sent: Record<string, string>[] = [];
    await page.route(`${url("")}/api/**`, async (route) => {
      sent.push(await route.request().allHeaders());
      await route.continue();
    });
    const forged = page.waitForResponse(
      (r) => r.url().endsWith("/api/admin/api-keys") && r.request().method() === "POST",
    );
    const signOut = page.waitForResponse((r) => r.url().endsWith("/api/auth/sign-out"));
    await page.goto(attackerUrl);
    const keyAttempt = await forged;
    // The browser did attach the admin's cookie; the server refused the request anyway.
    expect(sent[0]?.cookie).toContain("session_token=");
    expect(sent[0]?.origin).toBe(new URL(attackerUrl).origin);
    expect(keyAttempt.status()).toBe(403);
    expect((await signOut).status()).toBe(403);
    const me = await page.request.get(url("/api/me"));
    expect(me.status()).toBe(200);
    const keys = (await (await page.request.get(url("/api/admin/api-keys"))).json()) as {
      apiKeys: Array<{ name: string }>;
    };
    expect(keys.apiKeys.map((k) => k.name)).not.toContain("forged-by-cats");
  });
});
