import { redirect } from "next/navigation";
import { safeNext } from "../../components/auth/safe-next";
import { SignInForm } from "../../components/auth/SignInForm";
import styles from "../../components/auth/auth.module.css";
import { currentUser } from "../../server/web/page-auth";

export const metadata = { title: "Sign in · Nowcast" };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string | string[] }>;
}) {
  const { next } = await searchParams;
  const target = typeof next === "string" ? next : null;
  if (await currentUser()) redirect(safeNext(target));
  return (
    <main className={styles.wrap}>
      <SignInForm next={target} />
    </main>
  );
}
