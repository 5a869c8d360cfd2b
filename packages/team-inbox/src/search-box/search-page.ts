/** How many messages and notes one search shows: the newest, with a hint to narrow past them. */
export const SEARCH_PAGE = 20;
