/** The IANA zones this browser knows, for suggestions (the server checks the name). */
export const knownTimeZones: string[] = (() => {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  try {
    return intl.supportedValuesOf?.('timeZone') ?? [];
  } catch {
    return [];
  }
})();
