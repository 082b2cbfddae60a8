// Days as the service counts them (Copenhagen calendar days, written YYYY-MM-DD) and as
// its Danish pages write them, for tests whose dates are relative to today.
import { decodeEntities } from './harness.mjs';

/** Copenhagen's day today. */
export const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Copenhagen' }).format(new Date());

/** The day n days after day (before it when n is negative). */
export const addDays = (day, n) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

const MONTHS_DA = ['januar', 'februar', 'marts', 'april', 'maj', 'juni', 'juli', 'august', 'september', 'oktober', 'november', 'december'];

/** A day as the Danish pages write it: "7. december 2026". */
export const human = (day) => {
  const [y, m, d] = day.split('-').map(Number);
  return `${d}. ${MONTHS_DA[m - 1]} ${y}`;
};

/** A page's text without tags, entities decoded, white space as single spaces. */
export const text = (html) => decodeEntities(html.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').replace(/ ([.,:])/g, '$1');
