"use client";

import { useCallback, useEffect, useState, useSyncExternalStore } from "react";

export type Theme = "light" | "dark";
const STORAGE_KEY = "nowcast-theme";

function subscribe(onChange: () => void): () => void {
  const media = matchMedia("(prefers-color-scheme: light)");
  media.addEventListener("change", onChange);
  window.addEventListener("storage", onChange);
  return () => {
    media.removeEventListener("change", onChange);
    window.removeEventListener("storage", onChange);
  };
}
const readChoice = (): Theme => {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (stored === "light" || stored === "dark") return stored;
  return matchMedia("(prefers-color-scheme: light)").matches ? "light" : "dark";
};

/**
 * Light or dark: the toggle's choice, else `?theme=` (screenshots), else what this browser
 * chose before, else prefers-color-scheme (the CSS follows that while `data-theme` is unset).
 */
export function useTheme(forced: Theme | null) {
  const remembered = useSyncExternalStore<Theme | null>(subscribe, readChoice, () => null);
  const [toggled, setToggled] = useState<Theme | null>(null);
  const theme = toggled ?? forced ?? remembered;
  useEffect(() => {
    if (theme) document.documentElement.dataset.theme = theme;
  }, [theme]);
  const toggle = useCallback(() => {
    const next: Theme = theme === "light" ? "dark" : "light";
    localStorage.setItem(STORAGE_KEY, next);
    setToggled(next);
  }, [theme]);
  return { theme, toggle };
}
