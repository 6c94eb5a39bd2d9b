"use client";

import { useState } from "react";
import { ChannelsAdmin } from "./ChannelsAdmin";
import styles from "./alerts.module.css";
import { RulesAdmin } from "./RulesAdmin";
import { SilencesAdmin } from "./SilencesAdmin";

const TABS = { rules: "Rules", channels: "Channels", silences: "Silences & mute windows" } as const;
type Tab = keyof typeof TABS;

/** `/admin/alerts`: rules with the back-test, channels with delivery logs, silences. */
export function AlertsAdmin() {
  const [tab, setTab] = useState<Tab>("rules");
  return (
    <main className="page">
      <div className="page-header">
        <h1>Alert rules</h1>
      </div>
      <div className={styles.tabs} role="tablist">
        {(Object.keys(TABS) as Tab[]).map((t) => (
          <button
            key={t}
            type="button"
            role="tab"
            className={styles.tab}
            aria-selected={tab === t}
            onClick={() => setTab(t)}
          >
            {TABS[t]}
          </button>
        ))}
      </div>
      {tab === "rules" && <RulesAdmin />}
      {tab === "channels" && <ChannelsAdmin />}
      {tab === "silences" && <SilencesAdmin />}
    </main>
  );
}
