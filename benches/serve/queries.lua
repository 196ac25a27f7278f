-- Rotates over 16 English and Chinese queries so concurrent requests differ.
local queries = {
  "KV%20cache%20quantization", "%E5%BC%BA%E5%8C%96%E5%AD%A6%E4%B9%A0%20%E5%A5%96%E5%8A%B1%E6%A8%A1%E5%9E%8B",
  "speculative%20decoding", "%E5%A4%9A%E6%A8%A1%E6%80%81%E5%A4%A7%E6%A8%A1%E5%9E%8B%20%E5%B9%BB%E8%A7%89",
  "mixture%20of%20experts%20routing", "3D%20gaussian%20splatting", "retrieval%20augmented%20generation",
  "%E6%89%A9%E6%95%A3%E6%A8%A1%E5%9E%8B%20%E8%A7%86%E9%A2%91%E7%94%9F%E6%88%90", "phone%20GUI%20agents",
  "long%20context%20attention", "%E6%A3%80%E7%B4%A2%E5%A2%9E%E5%BC%BA%E7%94%9F%E6%88%90",
  "reward%20model%20for%20reasoning", "video%20diffusion%20distillation", "%E6%8E%A8%E7%90%86%E5%8A%A0%E9%80%9F",
  "medical%20image%20segmentation", "tool%20use%20agents"
}
local mode = os.getenv("MODE") or "hybrid"
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/search?q=" .. queries[(i % #queries) + 1] .. "&mode=" .. mode .. "&limit=10")
end
