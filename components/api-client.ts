import { ApiError } from "../server/contract/api";

/** An API answer that was not 2xx, with the server's code and message. */
export class ApiRequestError extends Error {
  override name = "ApiRequestError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Fetches JSON from our API; non-2xx answers become ApiRequestError with the server's message.
 * Every write declares JSON, with or without a body: the server refuses other types (forgery check).
 */
export async function fetchJson<T>(url: string, init?: RequestInit): Promise<T> {
  const write = (init?.method ?? "GET").toUpperCase() !== "GET";
  const response = await fetch(url, {
    ...init,
    headers: {
      accept: "application/json",
      ...(write || init?.body ? { "content-type": "application/json" } : {}),
      ...init?.headers,
    },
  });
  const text = await response.text();
  const body = parseJson(text);
  if (!response.ok) {
    const parsed = ApiError.safeParse(body);
    if (parsed.success)
      throw new ApiRequestError(response.status, parsed.data.error.code, parsed.data.error.message);
    throw new ApiRequestError(response.status, "http_error", `the server answered ${response.status}`);
  }
  return body as T;
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}
