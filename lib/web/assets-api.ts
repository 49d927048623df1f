// Asset-model errors as API errors.
import { AssetError } from "../admin/assets.ts";
import { ApiError } from "./api.ts";

export async function assetsApi<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof AssetError) throw new ApiError(e.code, e.message);
    throw e;
  }
}
