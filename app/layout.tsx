import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { Providers } from "./providers";
import "./globals.css";

export const metadata: Metadata = {
  title: "Nowcast",
  description: "Real-time analytics: correct numbers, live and in history.",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <nav className="nav">
          <Link href="/live" className="brand">
            Nowcast
          </Link>
          <Link href="/live">Live</Link>
        </nav>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
