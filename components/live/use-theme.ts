"use client";

import { useCallback, useEffect, useState } from "react";

export type Theme = "light" | "dark";
const STORAGE_KEY = "nowcast-theme";

/**
 * Light or dark, remembered per browser; until chosen it follows prefers-color-scheme (the
 * CSS does that while `data-theme` is unset). `?theme=light|dark` forces one (screenshots).
 */
export function useTheme(forced: Theme | null) {
  const [theme, setTheme] = useState<Theme | null>(forced);
  useEffect(() => {
    const stored = forced ?? (localStorage.getItem(STORAGE_KEY) as Theme | null);
    const initial = stored ?? (matchMedia("(prefers-color-scheme: light)").matches ? "light" : "dark");
    setTheme(initial);
  }, [forced]);
  useEffect(() => {
    if (theme) document.documentElement.dataset.theme = theme;
  }, [theme]);
  const toggle = useCallback(() => {
    setTheme((current) => {
      const next = current === "light" ? "dark" : "light";
      localStorage.setItem(STORAGE_KEY, next);
      return next;
    });
  }, []);
  return { theme, toggle };
}
