// The Classroom screen (placeholder while it is written).
export function ClassroomScreen() {
  return <div className="screen"><h1>Classroom</h1></div>;
}
