/** Generic provider badges: initials and a stable colour from the provider id, so no provider needs editor code. */

const PALETTE = ['#4f46e5', '#0891b2', '#059669', '#d97706', '#dc2626', '#7c3aed', '#db2777', '#2563eb', '#65a30d', '#0d9488', '#9333ea', '#ea580c'];

export function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

export function providerColor(provider: string): string {
  if (provider === 'core') return '#475569';
  return PALETTE[hashString(provider) % PALETTE.length] ?? '#475569';
}

export function providerInitials(provider: string, title?: string): string {
  const base = (title ?? provider).replace(/[^A-Za-z0-9 _-]/g, '');
  const words = base.split(/[\s_-]+/).filter(Boolean);
  if (words.length >= 2) return ((words[0]?.[0] ?? '') + (words[1]?.[0] ?? '')).toUpperCase();
  const w = words[0] ?? provider;
  return (w.slice(0, 2) || '?').replace(/^./, (c) => c.toUpperCase());
}

export function providerTitle(provider: string, titles?: Map<string, string>): string {
  return titles?.get(provider) ?? provider.charAt(0).toUpperCase() + provider.slice(1);
}
