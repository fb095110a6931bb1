const whole = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en', { maximumFractionDigits: 1, minimumFractionDigits: 1 });

export function formatCount(value: number): string {
  return whole.format(value);
}

export function formatRate(perSecond: number): string {
  return Math.abs(perSecond) >= 100 ? whole.format(perSecond) : oneDecimal.format(perSecond);
}

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });

/** An axis label: short (`1.5K`, `250`, `0.5`). */
export function formatAxis(value: number): string {
  return Math.abs(value) >= 1000 ? compact.format(value) : String(Number(value.toPrecision(3)));
}

/** A time before now, for an axis: `now`, `−30s`, `−2m`, `−1m30s`. */
export function formatAgo(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds === 0) return 'now';
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return `−${m > 0 ? `${m}m` : ''}${s > 0 || m === 0 ? `${s}s` : ''}`;
}

/** A span of time in words, for a title: `10 minutes`, `30 seconds`. */
export function formatSpan(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds % 60 === 0 && seconds >= 60) return seconds === 60 ? 'minute' : `${seconds / 60} minutes`;
  return `${seconds} seconds`;
}

/** A clock time, local: `14:05:09`. */
export function formatClock(time: number): string {
  return new Date(time).toLocaleTimeString('en-GB', { hour12: false });
}
