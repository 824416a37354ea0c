// GET /healthz, GET /metrics and the embedded web UI (no authentication: the page asks the
// person for their token and sends it with every /v1 call).
#include "services/server/router.h"

#if IMU2CLIP_HAVE_WEB
#include "web/web_assets.h"
#endif

namespace imu2clip::server {

#if IMU2CLIP_HAVE_WEB
namespace {
// data: for the page's empty favicon; blob: for the export download the page builds.
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "media-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
}  // namespace
#endif

void add_system_routes(Router& router) {
  router.add({"GET", "/healthz", "/healthz", false}, [](Call& call) {
    const bool stopping = call.state.stopping;
    call.send_json(stopping ? 503 : 200, {{"status", stopping ? "shutting_down" : "ok"},
                                          {"model_id", call.state.model_id},
                                          {"version", call.state.options.version}});
  });

  router.add({"GET", "/metrics", "/metrics", false}, [](Call& call) {
    call.res.status = 200;
    call.res.set_content(call.state.metrics.render(call.state.metrics_extra()), "text/plain; version=0.0.4");
  });

#if IMU2CLIP_HAVE_WEB
  for (const auto& [path, asset] : web_assets()) {
    const WebAsset* a = &asset;
    router.add({"GET", std::regex_replace(path, std::regex(R"([.])"), R"(\.)"), "static", false}, [a](Call& call) {
      call.res.status = 200;
      call.res.set_header("Cache-Control", "no-cache");
      // The page loads only its own files and talks only to this server: an injected script or
      // style from elsewhere does not run, and no other site may frame it (clickjacking).
      call.res.set_header("Content-Security-Policy", kContentSecurityPolicy);
      call.res.set_header("Referrer-Policy", "no-referrer");
      call.res.set_content(a->body, a->content_type);
    });
  }
#else
  router.add({"GET", "/", "/", false}, [](Call&) {
    throw not_found("the web UI is not part of this build; use the /v1 API");
  });
#endif
}

}  // namespace imu2clip::server
