"use client";

// One line of the plant board: its OEE, an andon tile per machine (state, since when, OEE) and each
// machine's state timeline over the shift, whose stops can be clicked to give them a reason.
import type { MachineView, PlantView, Segment } from "#lib/features/dashboard/plant.ts";
import { LOSS_COLOR, LOSS_NAME } from "./loss-colors.ts";
import { duration, fmt, isStop, pct, sinceText } from "./plant-format.ts";

type LineView = PlantView["lines"][number] & { machines: MachineView[] };

export function PlantLine({
  view,
  line,
  canEditReasons,
  onPick,
}: {
  view: PlantView;
  line: LineView;
  canEditReasons: boolean;
  onPick: (m: MachineView, s: Segment) => void;
}) {
  const l = line;
  return (
    <div className="card" data-testid={`line-${l.key.split("/").pop()}`}>
      <h2>
        {l.name}{" "}
        <small>
          OEE <b data-testid="line-oee">{pct(l.kpis.oee)}</b> · A {pct(l.kpis.availability)} · P {pct(l.kpis.performance)} · Q {pct(l.kpis.quality)}
        </small>
      </h2>
      <div className="andon">
        {l.machines.map((m) => (
          <MachineTile key={m.key} view={view} m={m} />
        ))}
      </div>
      <Timelines view={view} machines={l.machines} canEditReasons={canEditReasons} onPick={onPick} />
    </div>
  );
}

function MachineTile({ view, m }: { view: PlantView; m: MachineView }) {
  const tz = view.site.timeZone;
  return (
    <div
      className="andon-tile"
      style={{ borderColor: LOSS_COLOR[m.loss ?? ""] ?? "#2d3a47", background: `${LOSS_COLOR[m.loss ?? ""] ?? "#2d3a47"}22` }}
      data-testid={`machine-${m.key.split("/").pop()}`}
    >
      <div className="n">
        <a href={`/sites/${m.key}`}>{m.name}</a>
      </div>
      <div className="s">
        {m.state ?? "no data"} {m.loss ? <span className="muted">({LOSS_NAME[m.loss]})</span> : null}
      </div>
      <div className="t">{m.since ? sinceText(view, m.since, tz) : ""}</div>
      <div className="o">
        OEE <b data-testid="machine-oee">{pct(m.kpis.oee)}</b>
        {m.elements.dataGapS > 0 ? (
          <span title="planned time without any state from the machine"> · {duration(m.elements.dataGapS * 1000)} without data</span>
        ) : null}
      </div>
    </div>
  );
}

function Timelines({
  view,
  machines,
  canEditReasons,
  onPick,
}: {
  view: PlantView;
  machines: MachineView[];
  canEditReasons: boolean;
  onPick: (m: MachineView, s: Segment) => void;
}) {
  const tz = view.site.timeZone;
  const span = Math.max(1, Math.min(view.now, view.shift.end) - view.shift.start);
  return (
    <div className="timelines">
      {machines.map((m) => (
        <div className="timeline" key={m.key}>
          <span className="tl-name">{m.name}</span>
          <svg viewBox="0 0 1000 18" preserveAspectRatio="none" role="img" aria-label={`${m.name} states`}>
            {m.timeline.map((s) => {
              const x = ((s.start - view.shift.start) / span) * 1000;
              const w = Math.max(0.5, ((s.end - s.start) / span) * 1000);
              const editable = canEditReasons && isStop(s.loss);
              return (
                // biome-ignore lint/a11y/noStaticElementInteractions: the same action is in the stop list below for keyboard users
                <rect
                  key={`${s.start}`}
                  x={x}
                  y={0}
                  width={w}
                  height={18}
                  fill={LOSS_COLOR[s.loss] ?? "#444"}
                  className={editable ? "editable" : ""}
                  data-testid={editable ? `stop-${m.key.split("/").pop()}-${s.start}` : undefined}
                  onClick={editable ? () => onPick(m, s) : undefined}
                >
                  <title>{`${s.state}${s.reason ? ` — ${s.reason}` : ""}: ${fmt(s.start, tz, true)}–${fmt(s.end, tz, true)} (${duration(s.end - s.start)}, ${LOSS_NAME[s.loss]})`}</title>
                </rect>
              );
            })}
          </svg>
        </div>
      ))}
      <div className="tl-axis">
        <span>{fmt(view.shift.start, tz)}</span>
        <span>{fmt(view.shift.start + span, tz)}</span>
      </div>
    </div>
  );
}
