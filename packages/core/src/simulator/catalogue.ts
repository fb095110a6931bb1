/** Cities where Meetup was busiest in the recorded stream, with their coordinates. */
export interface City {
  readonly name: string;
  readonly country: string;
  readonly state: string | null;
  readonly lat: number;
  readonly lon: number;
}

export const CITIES: readonly City[] = [
  { name: 'New York', country: 'us', state: 'NY', lat: 40.71, lon: -74.01 },
  { name: 'London', country: 'gb', state: null, lat: 51.51, lon: -0.13 },
  { name: 'San Francisco', country: 'us', state: 'CA', lat: 37.77, lon: -122.42 },
  { name: 'Chicago', country: 'us', state: 'IL', lat: 41.88, lon: -87.63 },
  { name: 'Toronto', country: 'ca', state: 'ON', lat: 43.65, lon: -79.38 },
  { name: 'Berlin', country: 'de', state: null, lat: 52.52, lon: 13.4 },
  { name: 'Seattle', country: 'us', state: 'WA', lat: 47.61, lon: -122.33 },
  { name: 'Austin', country: 'us', state: 'TX', lat: 30.27, lon: -97.74 },
  { name: 'Sydney', country: 'au', state: null, lat: -33.87, lon: 151.21 },
  { name: 'Paris', country: 'fr', state: null, lat: 48.86, lon: 2.35 },
  { name: 'Boston', country: 'us', state: 'MA', lat: 42.36, lon: -71.06 },
  { name: 'Los Angeles', country: 'us', state: 'CA', lat: 34.05, lon: -118.24 },
  { name: 'Tokyo', country: 'jp', state: null, lat: 35.68, lon: 139.69 },
  { name: 'Bangalore', country: 'in', state: null, lat: 12.97, lon: 77.59 },
  { name: 'Madrid', country: 'es', state: null, lat: 40.42, lon: -3.7 },
  { name: 'Amsterdam', country: 'nl', state: null, lat: 52.37, lon: 4.9 },
  { name: 'Denver', country: 'us', state: 'CO', lat: 39.74, lon: -104.99 },
  { name: 'Washington', country: 'us', state: 'DC', lat: 38.91, lon: -77.04 },
  { name: 'São Paulo', country: 'br', state: null, lat: -23.55, lon: -46.63 },
  { name: 'Singapore', country: 'sg', state: null, lat: 1.29, lon: 103.85 },
  { name: 'Tel Aviv-Yafo', country: 'il', state: null, lat: 32.08, lon: 34.78 },
  { name: 'Seoul', country: 'kr', state: null, lat: 37.57, lon: 126.98 },
  { name: 'Melbourne', country: 'au', state: null, lat: -37.81, lon: 144.96 },
  { name: 'Atlanta', country: 'us', state: 'GA', lat: 33.75, lon: -84.39 },
  { name: 'Vancouver', country: 'ca', state: 'BC', lat: 49.28, lon: -123.12 },
  { name: 'Dublin', country: 'ie', state: null, lat: 53.35, lon: -6.26 },
  { name: 'Zürich', country: 'ch', state: null, lat: 47.38, lon: 8.54 },
  { name: 'Portland', country: 'us', state: 'OR', lat: 45.52, lon: -122.68 },
];

export const VENUE_KINDS: readonly string[] = [
  'Coffee House',
  'Brewing Co.',
  'Public Library',
  'Community Center',
  'Coworking',
  'Tech Hub',
  'Park',
  'Climbing Gym',
  'Bookshop',
  'Tavern',
  'Innovation Lab',
  'Yoga Studio',
  'Art Space',
  'Campus Hall',
];

export const VENUE_PREFIXES: readonly string[] = [
  'Blue Door',
  'Riverside',
  'The Green Room',
  'Hilltop',
  'Old Mill',
  'Union',
  'Lighthouse',
  'Maple',
  'Northside',
  'Harbor',
  'Red Brick',
  'Central',
  'Foundry',
  'Galaxy',
  'Orchard',
  'Summit',
];

export const TOPICS: readonly { readonly urlkey: string; readonly name: string }[] = [
  { urlkey: 'softwaredev', name: 'Software Development' },
  { urlkey: 'hiking', name: 'Hiking' },
  { urlkey: 'socialnetwork', name: 'Social Networking' },
  { urlkey: 'newtech', name: 'New Technology' },
  { urlkey: 'boardgames', name: 'Board Games' },
  { urlkey: 'language', name: 'Language & Culture' },
  { urlkey: 'photo', name: 'Photography' },
  { urlkey: 'entrepreneurship', name: 'Entrepreneurship' },
  { urlkey: 'bookclub', name: 'Book Club' },
  { urlkey: 'fitness', name: 'Fitness' },
];
