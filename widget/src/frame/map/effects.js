/**
 * The map step's effects: load the accounts and the chart, and save the owner's mapping (then go on to the next
 * step). They use the broker client and the store that `io` gives them (tested with node).
 */
import { brokerWork, submit } from "../effects.js";
import { stepAfter } from "../state.js";
import { STEP } from "../steps.js";
import { mapGaps, mapProgress, mappingPayload, mappingSavedMetadata } from "./state.js";

/**
 * @param {import("../effects.js").Io} io
 * @returns {{load: () => Promise<void>, actions: Record<string, Function>}}
 */
export function mapEffects(io) {
  const { broker, dispatch, getState } = io;
  const failed = (code) => dispatch({ type: "map_failed", code });

  const load = () => brokerWork(io, async () => dispatch({ type: "map_loaded", data: await broker.mapping() }), failed);

  async function save() {
    const { map } = getState();
    if (map.status !== "ready") return;
    const gaps = mapGaps(map);
    if (gaps.missing || gaps.unchecked) return dispatch({ type: "map_incomplete" });
    await submit(io, "map_saving", "map_failed", async () => {
      const result = await broker.saveMapping(mappingPayload(map));
      io.emit("mapping_saved", mappingSavedMetadata(result));
      io.announce(io.t("map.saved"));
      dispatch({ type: "map_saved", result, next: stepAfter(getState(), STEP.MAP) });
      io.enterStep();
    });
  }

  return {
    load,
    actions: {
      mapChoose: (id, category) => dispatch({ type: "map_choose", id, category }),
      mapKeep: (id) => dispatch({ type: "map_keep", id }),
      mapAcceptAll: () => {
        dispatch({ type: "map_accept_all" });
        io.announce(io.t("map.progress", mapProgress(getState().map)));
      },
      mapSearch: (query) => dispatch({ type: "map_search", query }),
      mapReload: () => load(),
      mapSave: save,
    },
  };
}
