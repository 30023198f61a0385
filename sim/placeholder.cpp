// placeholder so the library has a source until sim/ lands
namespace tcesim { int placeholder_unused = 0; }
