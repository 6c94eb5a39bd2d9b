import Link from "next/link";

export default function Forbidden() {
  return (
    <main className="page">
      <h1>403 — not allowed</h1>
      <p>Your role does not include this page. Ask an administrator if you need access.</p>
      <p>
        <Link href="/live">Go to the live dashboard</Link>
      </p>
    </main>
  );
}
