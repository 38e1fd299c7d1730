# Third-party packages (Debian 12: libtorch-dev, libyaml-cpp-dev, libfmt-dev,
# nlohmann-json3-dev, catch2, libturbojpeg0-dev, zlib1g-dev, libsqlite3-dev, libsentencepiece-dev). scripts/setup.sh installs them.
find_package(Torch REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(fmt REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(ZLIB REQUIRED)
find_package(Threads REQUIRED)
find_package(SQLite3 REQUIRED)  # the results store (Debian: libsqlite3-dev)
# ATen's at::parallel_for (ATen/ParallelOpenMP.h) is an inline template that runs serially
# unless the code instantiating it is compiled with OpenMP: ptq's fused kernels need it to
# use LibTorch's intra-op threads (torch::set_num_threads).
find_package(OpenMP REQUIRED COMPONENTS CXX)
find_path(PTQ_TURBOJPEG_INCLUDE turbojpeg.h REQUIRED)
find_library(PTQ_TURBOJPEG_LIB turbojpeg REQUIRED)
# SentencePiece (Debian: libsentencepiece-dev): LLaMA tokenizers, and the tokenizer ptq trains
# for its own small decoder. Linked only into the helper `ptq-spm` (experiments/ptq_spm_main.cpp):
# Debian's libsentencepiece exports its bundled protobuf-lite, which clashes with the libprotobuf
# that LibTorch loads (the process crashes in protobuf's static initialisers).
find_path(PTQ_SENTENCEPIECE_INCLUDE sentencepiece_processor.h REQUIRED)
find_library(PTQ_SENTENCEPIECE_LIB sentencepiece REQUIRED)
find_library(PTQ_SENTENCEPIECE_TRAIN_LIB sentencepiece_train REQUIRED)
# yaml-cpp 0.7's config exports a plain variable on some distributions, a target on others.
if(TARGET yaml-cpp::yaml-cpp)
  set(PTQ_YAML_TARGET yaml-cpp::yaml-cpp)
elseif(TARGET yaml-cpp)
  set(PTQ_YAML_TARGET yaml-cpp)
else()
  set(PTQ_YAML_TARGET ${YAML_CPP_LIBRARIES})
endif()
