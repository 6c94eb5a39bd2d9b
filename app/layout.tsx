import type { Metadata } from "next";
import type { ReactNode } from "react";
import { NavBar } from "../components/nav/NavBar";
import { currentUser } from "../server/web/page-auth";
import { navFor } from "../server/auth/roles";
import { Providers } from "./providers";
import "./globals.css";

export const metadata: Metadata = {
  title: "Nowcast",
  description: "Real-time analytics: correct numbers, live and in history.",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await currentUser();
  const items = user?.role ? navFor(user.role).map(({ href, label }) => ({ href, label })) : [];
  return (
    <html lang="en">
      <body>
        <NavBar items={items} user={user?.role ? { email: user.name, role: user.role } : null} />
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
