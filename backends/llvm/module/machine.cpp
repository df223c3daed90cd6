#include "machine.h"

#include <llvm/ADT/SmallVector.h>
#include <llvm/Analysis/CGSCCPassManager.h>
#include <llvm/Analysis/LoopAnalysisManager.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/PassManager.h>
#include <llvm/MC/MCSubtargetInfo.h>
#include <llvm/MC/SubtargetFeature.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/Host.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Transforms/IPO/AlwaysInliner.h>
#include <llvm/Transforms/InstCombine/InstCombine.h>
#include <llvm/Transforms/Scalar/EarlyCSE.h>
#include <llvm/Transforms/Scalar/SimplifyCFG.h>

#include <mutex>

namespace bpfc::native {

void initialize_llvm() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
    llvm::InitializeAllAsmParsers();
  });
}

namespace {

llvm::CodeGenOpt::Level codegen_level(unsigned level) {
  switch (level) {
    case 0: return llvm::CodeGenOpt::None;
    case 1: return llvm::CodeGenOpt::Less;
    case 2: return llvm::CodeGenOpt::Default;
    default: return llvm::CodeGenOpt::Aggressive;
  }
}

llvm::OptimizationLevel pipeline_level(unsigned level) {
  switch (level) {
    case 0: return llvm::OptimizationLevel::O0;
    case 1: return llvm::OptimizationLevel::O1;
    case 2: return llvm::OptimizationLevel::O2;
    default: return llvm::OptimizationLevel::O3;
  }
}

}  // namespace

Result<std::unique_ptr<llvm::TargetMachine>> make_target_machine(const MachineOptions& machine) {
  initialize_llvm();
  const std::string triple =
      machine.triple.empty() ? llvm::sys::getDefaultTargetTriple() : llvm::Triple::normalize(machine.triple);
  std::string problem;
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(triple, problem);
  if (target == nullptr) {
    return error("unknown target triple '" + machine.triple + "': " + problem +
                 " (triples look like x86_64-pc-linux-gnu or aarch64-linux-gnu)");
  }
  std::string cpu = machine.cpu;
  std::string features;
  if (cpu == "native") {
    cpu = llvm::sys::getHostCPUName().str();
    llvm::StringMap<bool> host;
    if (llvm::sys::getHostCPUFeatures(host)) {
      llvm::SubtargetFeatures list;
      for (const auto& feature : host) list.AddFeature(feature.first(), feature.second);
      features = list.getString();
    }
  }
  if (!cpu.empty()) {
    std::unique_ptr<llvm::MCSubtargetInfo> info(target->createMCSubtargetInfo(triple, "", ""));
    if (info == nullptr || !info->isCPUStringValid(cpu)) {
      return error("unknown CPU '" + machine.cpu + "' for " + triple +
                   " (llc -march=ARCH -mcpu=help lists the CPUs; 'native' is this host's)");
    }
  }
  llvm::TargetOptions options;
  llvm::Optional<llvm::Reloc::Model> relocation =
      machine.position_independent ? llvm::Reloc::PIC_ : llvm::Reloc::Static;
  std::unique_ptr<llvm::TargetMachine> made(
      target->createTargetMachine(triple, cpu, features, options, relocation, llvm::None,
                                  codegen_level(machine.opt_level)));
  if (made == nullptr) return error("LLVM cannot make code for " + triple);
  if (machine.fast_instruction_selection) made->setFastISel(true);
  return made;
}

Result<std::string> optimize_and_emit(llvm::Module& module, llvm::TargetMachine& machine,
                                      const MachineOptions& options, NativeOutput output) {
  const unsigned opt_level = options.opt_level;
  {
    llvm::LoopAnalysisManager loops;
    llvm::FunctionAnalysisManager functions;
    llvm::CGSCCAnalysisManager sccs;
    llvm::ModuleAnalysisManager modules;
    llvm::PassBuilder builder(&machine);
    builder.registerModuleAnalyses(modules);
    builder.registerCGSCCAnalyses(sccs);
    builder.registerFunctionAnalyses(functions);
    builder.registerLoopAnalyses(loops);
    builder.crossRegisterProxies(loops, functions, sccs, modules);
    llvm::ModulePassManager pipeline;
    if (opt_level == 0) {
      pipeline = builder.buildO0DefaultPipeline(llvm::OptimizationLevel::O0);
    } else if (options.short_pipeline) {
      pipeline.addPass(llvm::AlwaysInlinerPass());
      llvm::FunctionPassManager passes;
      passes.addPass(llvm::InstCombinePass());
      passes.addPass(llvm::SimplifyCFGPass());
      passes.addPass(llvm::EarlyCSEPass());
      passes.addPass(llvm::InstCombinePass());
      passes.addPass(llvm::SimplifyCFGPass());
      pipeline.addPass(llvm::createModuleToFunctionPassAdaptor(std::move(passes)));
    } else {
      pipeline = builder.buildPerModuleDefaultPipeline(pipeline_level(opt_level));
    }
    pipeline.run(module, modules);
  }
  std::string text;
  if (output == NativeOutput::LlvmIr) {
    llvm::raw_string_ostream out(text);
    module.print(out, nullptr);
    return text;
  }
  llvm::SmallVector<char, 0> bytes;
  llvm::raw_svector_ostream out(bytes);
  llvm::legacy::PassManager passes;
  const auto kind = output == NativeOutput::Assembly ? llvm::CGFT_AssemblyFile : llvm::CGFT_ObjectFile;
  if (machine.addPassesToEmitFile(passes, out, nullptr, kind)) {
    return error("LLVM cannot emit " + std::string(output == NativeOutput::Assembly ? "assembly" : "an object") +
                 " for " + machine.getTargetTriple().str());
  }
  passes.run(module);
  return std::string(bytes.begin(), bytes.end());
}

}  // namespace bpfc::native
