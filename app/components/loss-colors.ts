// Colours and names of the loss categories, shared by the plant and machine pages.
export const LOSS_COLOR: Record<string, string> = {
  PRODUCTIVE: "#2ea043",
  REDUCED_SPEED: "#d29922",
  SMALL_STOP: "#e3b341",
  SETUP_ADJUSTMENT: "#1f6feb",
  BREAKDOWN: "#da3633",
  UNPLANNED_STOP: "#f0883e",
  PLANNED_STOP: "#6e7681",
};

export const LOSS_NAME: Record<string, string> = {
  PRODUCTIVE: "producing",
  REDUCED_SPEED: "reduced speed",
  SMALL_STOP: "small stop",
  SETUP_ADJUSTMENT: "setup",
  BREAKDOWN: "breakdown",
  UNPLANNED_STOP: "unplanned stop",
  PLANNED_STOP: "planned stop",
};
