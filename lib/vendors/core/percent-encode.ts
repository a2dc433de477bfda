/**
 * RFC 3986 strict percent-encoding, as Apsara (seed 001 L507-521), KEC's SigV4 and Tencent's legacy
 * signature use it: only `A-Z a-z 0-9 - _ . ~` stay, space is `%20`, and `! ' ( ) *` are encoded too.
 */
export function rfc3986Encode(value: string): string {
  // most names and values (ids, actions, regions) are unreserved characters only, which encode to themselves
  if (/^[\w.~-]*$/.test(value)) return value;
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
