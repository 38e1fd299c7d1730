// fp: no quantisation at all — every quantiser stays Off. The reference row of every table.
#include "methods/fp/fp_method.h"

namespace ptq::methods {

void FpMethod::apply(MethodContext& ctx) { ctx.model.set_all_quantizers(QuantizerState::Off); }

std::unique_ptr<Method> FpMethod::from_config(const config::Section&) { return std::make_unique<FpMethod>(); }

}  // namespace ptq::methods
