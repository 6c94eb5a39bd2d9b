"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useState } from "react";

export interface NavBarProps {
  items: ReadonlyArray<{ href: string; label: string }>;
  user: { email: string; role: string } | null;
}

/** The top bar: the links this role may use, who is signed in, and sign-out. */
export function NavBar({ items, user }: NavBarProps) {
  const pathname = usePathname();
  const [signingOut, setSigningOut] = useState(false);

  async function signOut() {
    setSigningOut(true);
    await fetch("/api/auth/sign-out", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    }).catch(() => undefined);
    window.location.assign("/sign-in");
  }

  return (
    <nav className="nav" aria-label="Main">
      <Link href={user ? "/live" : "/sign-in"} className="brand">
        Nowcast
      </Link>
      {items.map((item) => (
        <Link
          key={item.href}
          href={item.href}
          aria-current={pathname.startsWith(item.href) ? "page" : undefined}
        >
          {item.label}
        </Link>
      ))}
      {user && (
        <span className="nav-user">
          <span data-testid="nav-user">{user.email}</span>
          <span className="role-badge" data-testid="nav-role">
            {user.role}
          </span>
          <button type="button" className="link-button" onClick={signOut} disabled={signingOut}>
            Sign out
          </button>
        </span>
      )}
    </nav>
  );
}
