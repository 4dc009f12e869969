// The Intervention builder screen (placeholder while the builder is written).
export function BuilderScreen() {
  return <div className="screen"><h1>Interventions</h1></div>;
}
