"use client";

import { formatFigure } from "./format";
import type { GroupCount } from "./live-series";

const ROW_HEIGHT = 2.1; // em: rows move to their new rank with a CSS transition

/**
 * A top-N breakdown; rows keep their identity and slide when the ranking changes. The
 * "(other)" row (everything not listed) stays last, without a bar: it is not a group.
 */
export function TopList({
  id,
  title,
  groups,
  windowMinutes,
}: {
  id: string;
  title: string;
  groups: GroupCount[];
  windowMinutes: number;
}) {
  const max = groups.find((g) => !g.other)?.count ?? 0;
  const byName = [...groups].sort((a, b) => (a.group < b.group ? -1 : 1));
  return (
    <section className="panel toplist" data-testid={`top-${id}`} aria-label={title}>
      <header className="panel-head">
        <h2>{title}</h2>
        <span className="muted">last {windowMinutes} min</span>
      </header>
      {groups.length === 0 ? <p className="empty">No events in this window.</p> : null}
      {/* Rendered in a stable (name) order so React keeps each row's element; the rank sets its position. */}
      <ol className="toplist-rows" style={{ height: `${groups.length * ROW_HEIGHT}em` }}>
        {byName.map((row) => {
          const rank = groups.indexOf(row);
          return (
            <li
              key={row.group}
              data-testid="top-row"
              data-rank={rank + 1}
              data-other={row.other ? "true" : undefined}
              className={row.other ? "toplist-other" : undefined}
              title={row.other ? "all other groups together" : undefined}
              style={{ transform: `translateY(${rank * ROW_HEIGHT}em)` }}
            >
              {row.other ? null : (
                <span className="toplist-bar" style={{ width: `${max ? (row.count / max) * 100 : 0}%` }} />
              )}
              <span className="toplist-name">{row.group}</span>
              <span className="toplist-count">{formatFigure(row.count, "count")}</span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
