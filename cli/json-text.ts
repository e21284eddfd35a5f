// A response body that may or may not be JSON (an error's text, a 409's JSON): parsed, or null.
export function jsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
