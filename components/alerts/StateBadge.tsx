import type { AlertState } from "../../server/contract/alerts";
import styles from "./alerts.module.css";

const CLASS: Partial<Record<AlertState, string | undefined>> = {
  firing: styles.firing,
  pending: styles.pending,
  recovering: styles.recovering,
  normal: styles.normal,
};

export function StateBadge({ state }: { state: AlertState }) {
  return (
    <span className={CLASS[state] ?? styles.other} data-state={state}>
      {state.replace("_", " ")}
    </span>
  );
}
