import { describe, expect, it } from "vitest";
import type { ViewDef } from "../api/shapes";
import {
  calendarSpec, clock, DAY_MINUTES, dayKey, daysValues, dragRange, gridPoint, moveValues, parseDay, placeEvents, quickValues, rangeFilter, rangeValues, resizeByValues, resizeDaysValues, resizeValues, shiftAnchor, visibleDays,
} from "./calendar";
import { epochDay } from "../q/dates";

const view: ViewDef = {
  identifier: "v", name: "Schedule", type: "Calendar", model: "Task",
  arch: [{ default_mode: "week", content: [
    { type: "field", name: "start", display_mode: "start" }, { type: "field", name: "stop", display_mode: "stop" },
    { type: "field", name: "name", display_mode: "title" }, { type: "field", name: "kind", display_mode: "color" }, { type: "field", name: "stage" },
  ] }],
  fetch: [], methods: {},
  models: { Task: { start: { type: "Datetime", label: "Start" }, stop: { type: "Datetime", label: "Stop" }, name: { type: "Char", label: "Name" }, kind: { type: "Selection", label: "Kind" }, stage: { type: "ManyToOne", label: "Stage" } } },
};
const spec = calendarSpec(view);
const BRUSSELS = "Europe/Brussels";
const day = (s: string) => parseDay(s)!;

describe("calendarSpec and the days on screen", () => {
  it("maps the arch's fields by display_mode and keeps the others for the popover", () => {
    expect(spec).toMatchObject({ start: "start", stop: "stop", title: "name", color: "kind", dateOnly: false, defaultMode: "week", details: ["stage"] });
  });
  it("a week runs Monday to Sunday, a month six weeks from the Monday before the 1st", () => {
    expect(visibleDays("week", day("2026-10-25")).map(dayKey)).toEqual(["2026-10-19", "2026-10-20", "2026-10-21", "2026-10-22", "2026-10-23", "2026-10-24", "2026-10-25"]);
    const month = visibleDays("month", day("2026-12-15"));
    expect([dayKey(month[0]!), month.length]).toEqual(["2026-11-30", 42]);
    expect(dayKey(shiftAnchor("month", day("2026-12-15"), 1))).toBe("2027-01-01");
    expect(dayKey(shiftAnchor("week", day("2026-12-31"), 1))).toBe("2027-01-07");
  });
  it("the range filter is in UTC instants of the user's local midnights, across a DST change", () => {
    const q = rangeFilter(spec, visibleDays("week", day("2026-10-25")), BRUSSELS) as { and: [{ value: string }, unknown] };
    expect(q.and[0].value).toBe("2026-10-25T23:00:00.000Z"); // Monday 26 Oct 00:00 CET (+01:00)
    expect(JSON.stringify(q)).toContain("2026-10-18T22:00:00.000Z"); // Monday 19 Oct 00:00 CEST (+02:00)
  });
});

describe("placing events in the user's time zone", () => {
  const events = [
    { id: 1, name: "Before", start: "2026-10-23T07:00:00Z", stop: "2026-10-23T08:00:00Z" }, // 09:00 CEST
    { id: 2, name: "After", start: "2026-10-25T08:00:00Z", stop: "2026-10-25T09:30:00Z" }, // 09:00 CET
    { id: 3, name: "Overlap", start: "2026-10-25T08:30:00Z", stop: "2026-10-25T09:00:00Z" },
    { id: 4, name: "Night", start: "2026-10-21T21:00:00Z", stop: "2026-10-22T01:00:00Z" }, // 23:00 to 03:00
  ];
  const placed = placeEvents(spec, events, visibleDays("week", day("2026-10-25")), BRUSSELS);
  it("09:00 is at 09:00 on both sides of the change", () => {
    expect(placed.get("2026-10-23")![0]).toMatchObject({ id: 1, from: 540, to: 600 });
    expect(placed.get("2026-10-25")!.find((p) => p.id === 2)).toMatchObject({ from: 540, to: 630 });
  });
  it("overlapping events share the day in lanes; an event past midnight shows on both days", () => {
    expect(placed.get("2026-10-25")!.map((p) => [p.id, p.lane, p.lanes])).toEqual([[2, 0, 2], [3, 1, 2]]);
    expect(placed.get("2026-10-21")![0]).toMatchObject({ id: 4, from: 1380, to: 1440, continues: true });
    expect(placed.get("2026-10-22")![0]).toMatchObject({ id: 4, from: 0, to: 180, continued: true });
  });
});

describe("writes of a move, a resize and a quick create", () => {
  const event = { id: 1, start: "2026-10-23T07:00:00Z", stop: "2026-10-23T08:30:00Z", updated_date: "T1" };
  it("moving to another day and time keeps the duration, in UTC, with updated_date", () => {
    expect(moveValues(spec, event, day("2026-10-26"), 600, BRUSSELS)).toEqual({ start: "2026-10-26T09:00:00.000Z", stop: "2026-10-26T10:30:00.000Z", updated_date: "T1" });
  });
  it("a month move keeps the wall-clock time across the change (09:00 CEST -> 09:00 CET)", () => {
    expect(moveValues(spec, event, day("2026-10-26"), null, BRUSSELS)!.start).toBe("2026-10-26T08:00:00.000Z");
  });
  it("a resize moves only the end, never before 15 minutes after the start", () => {
    expect(resizeValues(spec, event, day("2026-10-23"), 660, BRUSSELS)).toEqual({ stop: "2026-10-23T09:00:00.000Z", updated_date: "T1" });
    expect(resizeValues(spec, event, day("2026-10-23"), 0, BRUSSELS)!.stop).toBe("2026-10-23T07:15:00.000Z");
  });
  it("a quick create fills the clicked time, one hour long", () => {
    expect(quickValues(spec, day("2026-10-25"), 14 * 60)(BRUSSELS)).toEqual({ start: "2026-10-25T13:00:00.000Z", stop: "2026-10-25T14:00:00.000Z" });
    expect(clock(9 * 60 + 30)).toBe("09:30");
  });
  it("date calendars move and create whole days", () => {
    const dates = calendarSpec({ ...view, models: { Task: { ...view.models.Task, start: { type: "Date", label: "Start" }, stop: { type: "Date", label: "Stop" } } } });
    expect(moveValues(dates, { id: 2, start: "2026-10-01", stop: "2026-10-02", updated_date: "T2" }, day("2026-10-10"), null, BRUSSELS))
      .toEqual({ start: "2026-10-10", stop: "2026-10-11", updated_date: "T2" });
    expect(quickValues(dates, day("2026-10-10"), null)(BRUSSELS)).toEqual({ start: "2026-10-10", stop: "2026-10-10" });
  });
});

describe("a drag on empty time, keyboard resize and all-day resize", () => {
  const withAllDay = calendarSpec({ ...view, arch: [{ ...view.arch[0]!, content: [...view.arch[0]!.content!, { type: "field", name: "all_day", display_mode: "all_day" }] }] });
  it("a drag on empty time creates the dragged range, either way, at least 15 minutes", () => {
    expect(rangeValues(spec, day("2026-10-25"), 10 * 60, 12 * 60 + 30)(BRUSSELS)).toEqual({ start: "2026-10-25T09:00:00.000Z", stop: "2026-10-25T11:30:00.000Z" });
    expect(rangeValues(spec, day("2026-10-25"), 12 * 60, 10 * 60)(BRUSSELS).start).toBe("2026-10-25T09:00:00.000Z");
    expect(rangeValues(spec, day("2026-10-23"), 600, 600)(BRUSSELS)).toEqual({ start: "2026-10-23T08:00:00.000Z", stop: "2026-10-23T08:15:00.000Z" });
  });
  it("a drag across days in the time grid creates one record from the first point to the last, either way", () => {
    // Friday 23 October 10:00 to Monday 26 October 11:30 in Brussels, across the end of summer time.
    expect(rangeValues(spec, day("2026-10-23"), 600, 690, day("2026-10-26"))(BRUSSELS)).toEqual({ start: "2026-10-23T08:00:00.000Z", stop: "2026-10-26T10:30:00.000Z" });
    expect(rangeValues(spec, day("2026-10-26"), 690, 600, day("2026-10-23"))(BRUSSELS)).toEqual({ start: "2026-10-23T08:00:00.000Z", stop: "2026-10-26T10:30:00.000Z" });
    // Dragged to the bottom of a day: the record ends at that day's midnight.
    expect(rangeValues(spec, day("2026-10-23"), 1380, 1440, day("2026-10-23"))(BRUSSELS).stop).toBe("2026-10-23T22:00:00.000Z");
  });
  it("dragRange: the start's step stays selected, the end snaps to the step under the pointer, across days", () => {
    const at = (d: string, minutes: number) => ({ day: day(d), minutes });
    const base = epochDay(day("2026-10-23")) * DAY_MINUTES;
    expect(dragRange(at("2026-10-23", 605), at("2026-10-23", 650))).toEqual({ from: base + 600, to: base + 660 });
    expect(dragRange(at("2026-10-23", 605), at("2026-10-23", 540))).toEqual({ from: base + 540, to: base + 615 });
    expect(dragRange(at("2026-10-23", 600), at("2026-10-24", 62))).toEqual({ from: base + 600, to: base + DAY_MINUTES + 75 });
    expect(dragRange(at("2026-10-23", 600), at("2026-10-22", 1400))).toEqual({ from: base - 45, to: base + 615 });
    expect(gridPoint(base + DAY_MINUTES, true)).toEqual({ day: day("2026-10-23"), minutes: DAY_MINUTES });
    expect(gridPoint(base + DAY_MINUTES, false)).toEqual({ day: day("2026-10-24"), minutes: 0 });
  });
  it("a drag over days (month, all-day row) creates whole days: dates, all-day midnights, or 09:00-10:00", () => {
    expect(daysValues(withAllDay, day("2026-10-26"), day("2026-10-23"))(BRUSSELS)).toEqual({ start: "2026-10-22T22:00:00.000Z", stop: "2026-10-26T23:00:00.000Z", all_day: true });
    expect(daysValues(spec, day("2026-10-23"), day("2026-10-24"))(BRUSSELS)).toEqual({ start: "2026-10-23T07:00:00.000Z", stop: "2026-10-24T08:00:00.000Z" });
    const dates = calendarSpec({ ...view, models: { Task: { ...view.models.Task, start: { type: "Date", label: "Start" }, stop: { type: "Date", label: "Stop" } } } });
    expect(daysValues(dates, day("2026-10-23"), day("2026-10-25"))(BRUSSELS)).toEqual({ start: "2026-10-23", stop: "2026-10-25" });
  });
  it("Shift+arrows move a timed event's end, never before 15 minutes after its start", () => {
    const event = { id: 1, start: "2026-10-23T07:00:00Z", stop: "2026-10-23T08:00:00Z", updated_date: "T1" };
    expect(resizeByValues(spec, event, 30, BRUSSELS)).toEqual({ stop: "2026-10-23T08:30:00.000Z", updated_date: "T1" });
    expect(resizeByValues(spec, event, -120, BRUSSELS)!.stop).toBe("2026-10-23T07:15:00.000Z");
  });
  it("an all-day event (datetime) ends at the local midnight after its new last day, never before its first", () => {
    const offsite = { id: 5, start: "2026-10-22T22:00:00Z", stop: "2026-10-23T22:00:00Z", all_day: true, updated_date: "T5" }; // Fri 23 Oct, Brussels
    expect(resizeDaysValues(withAllDay, offsite, day("2026-10-25"), BRUSSELS)).toEqual({ stop: "2026-10-25T23:00:00.000Z", updated_date: "T5" }); // after the DST change
    expect(resizeDaysValues(withAllDay, offsite, day("2026-10-20"), BRUSSELS)!.stop).toBe("2026-10-23T22:00:00.000Z");
    expect(resizeByValues(withAllDay, offsite, 1, BRUSSELS)!.stop).toBe("2026-10-24T22:00:00.000Z");
  });
  it("a date event's stop is its new last day", () => {
    const dates = calendarSpec({ ...view, models: { Task: { ...view.models.Task, start: { type: "Date", label: "Start" }, stop: { type: "Date", label: "Stop" } } } });
    const holiday = { id: 6, start: "2026-10-01", stop: "2026-10-02", updated_date: "T6" };
    expect(resizeDaysValues(dates, holiday, day("2026-10-04"), BRUSSELS)).toEqual({ stop: "2026-10-04", updated_date: "T6" });
    expect(resizeByValues(dates, holiday, -1, BRUSSELS)).toEqual({ stop: "2026-10-01", updated_date: "T6" });
  });
});
