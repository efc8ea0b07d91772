/** The trigger of a run that re-scores one partner because a live root event arrived. */
export const LIVE_EVENT_TRIGGER = 'live-event';
