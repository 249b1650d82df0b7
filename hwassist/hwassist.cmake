set(TRAPEZE_HWASSIST_SOURCES
  ${PROJECT_SOURCE_DIR}/hwassist/kvm.c
  ${PROJECT_SOURCE_DIR}/hwassist/kvm_probe.c
  ${PROJECT_SOURCE_DIR}/hwassist/kvm_state.c)
